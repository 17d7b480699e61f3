//! tree-sitter extraction (being written).
use super::{Facts, Lang, ScanOptions};

pub fn extract(_lang: Lang, _src: &[u8], _opts: &ScanOptions) -> Facts {
    Facts::default()
}
