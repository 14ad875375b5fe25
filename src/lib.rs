pub mod command;
pub mod config;
pub mod escape;
pub mod export;
pub mod headless;
pub mod lab;
pub mod trace;
pub mod tui;
