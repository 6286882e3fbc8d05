//! Append-only RESP2/RESP3 reply encoder.
