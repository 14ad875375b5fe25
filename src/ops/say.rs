//! `say TEXT`: narration. It makes no syscall and needs no explanation.

use super::{Context, Describe};
use crate::record::Call;

pub struct Say;

impl Describe for Say {
    fn strace(&self, _c: &Call, _cx: &Context) -> Vec<String> {
        Vec::new()
    }

    fn python(&self, _c: &Call, _cx: &Context) -> Vec<String> {
        Vec::new()
    }

    fn why(&self, _c: &Call, _cx: &Context) -> String {
        String::new()
    }
}
