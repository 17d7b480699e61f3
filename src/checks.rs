//! The built-in checks: snapshot -> scan -> resolve -> rules (being written).
