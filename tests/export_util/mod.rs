//! Reading exported scripts' output beside `run --json`.

pub mod learner;
