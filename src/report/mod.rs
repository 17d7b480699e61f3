//! Report (being written).
