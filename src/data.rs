//! The tables in `data/`: one entry per line, `#` comments and blank lines left out. Every
//! reader of a `data/*.txt` file goes through [`lines`], so the format is defined once.

/// The entries of a `data/*.txt` table: each line trimmed, blank lines and `#` comments dropped.
pub fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_blanks_and_padding_are_not_entries() {
        let got: Vec<&str> = super::lines("# head\n\n  a b  \n\t# indented comment\nc\n").collect();
        assert_eq!(got, ["a b", "c"]);
    }
}
