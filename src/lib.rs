pub mod command;
pub mod config;
pub mod escape;
pub mod headless;
pub mod lab;
