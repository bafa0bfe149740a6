//! Use cases of the desk on temporary SQLite files with a fixed clock, including every
//! refusal path. One test binary, one module per use case.

mod support;

mod accessible;
mod accounts;
mod bad_input;
mod operators;
mod reads;
mod sales;
mod self_service;
mod shifts;
mod sync;
mod voids;
