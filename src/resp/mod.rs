//! RESP: the request parser and the reply encoder.
pub mod parse;
pub mod reply;
