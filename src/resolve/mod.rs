//! Resolution (being written).
