pub mod command;
pub mod escape;
pub mod headless;
pub mod lab;
