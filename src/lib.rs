pub mod command;
pub mod lab;
pub mod headless;
