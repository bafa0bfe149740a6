//! Guichet's central server. For now: the operators' commands over the domain (print the
//! catalogue, ask "would this sale be allowed?"); the axum API, store and sync follow.

pub mod api;
pub mod backend;
pub mod backend_draws;
pub mod cli;
pub mod console;
pub mod demo;
mod demo_draw;
pub mod device_cli;
pub mod draw_cli;
pub mod notices;
pub mod serve;
pub mod settings;
pub mod store;
pub mod store_pg;
