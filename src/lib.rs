pub mod command;
pub mod lab;
