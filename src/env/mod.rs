//! Env declarations, dotenv parsing, value rules and secret detection (being written).
