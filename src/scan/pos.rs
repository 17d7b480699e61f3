//! Byte offsets -> 1-based line and column (columns count UTF-8 characters).

use super::Span;

pub(super) struct Positions<'a> {
    src: &'a [u8],
    /// Byte offset of each line start; built on first use (files with no facts never pay).
    line_starts: Vec<usize>,
    /// The last answer, so that positions met left to right on one huge minified line cost
    /// the distance from the previous one instead of the whole line prefix.
    last: Option<(usize, usize, u32)>, // (line_start, byte, column)
}

impl<'a> Positions<'a> {
    pub(super) fn new(src: &'a [u8]) -> Self {
        Positions {
            src,
            line_starts: Vec::new(),
            last: None,
        }
    }

    pub(super) fn span(&mut self, start: usize, end: usize) -> Span {
        let start = start.min(self.src.len());
        let end = end.clamp(start, self.src.len());
        let (line, column) = self.line_col(start);
        Span {
            line,
            column,
            start: to_u32(start),
            end: to_u32(end),
        }
    }

    /// 1-based line and column of the byte at `at`.
    pub(super) fn line_col(&mut self, at: usize) -> (u32, u32) {
        let at = at.min(self.src.len());
        if self.line_starts.is_empty() {
            self.line_starts.push(0);
            self.line_starts
                .extend(memchr::memchr_iter(b'\n', self.src).map(|i| i + 1));
        }
        let line_idx = self.line_starts.partition_point(|&s| s <= at).saturating_sub(1);
        let line_start = self.line_starts[line_idx];
        let line = to_u32(line_idx + 1);
        let column = match self.last {
            Some((ls, byte, col)) if ls == line_start && byte <= at => col + chars(&self.src[byte..at]),
            _ => 1 + chars(&self.src[line_start..at]),
        };
        self.last = Some((line_start, at, column));
        (line, column)
    }
}

fn chars(bytes: &[u8]) -> u32 {
    to_u32(bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count())
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::Positions;

    #[test]
    fn lines_and_char_columns() {
        let src = "ab\nd\u{e9}j\u{1F600}x\n\nz".as_bytes();
        let mut p = Positions::new(src);
        let x = src.iter().position(|b| *b == b'x').unwrap();
        assert_eq!(p.line_col(0), (1, 1));
        assert_eq!(p.line_col(1), (1, 2));
        assert_eq!(p.line_col(3), (2, 1));
        assert_eq!(p.line_col(x), (2, 5));
        // backwards on the same line must not reuse the cache
        assert_eq!(p.line_col(4), (2, 2));
        assert_eq!(p.line_col(src.len() - 1), (4, 1));
        assert_eq!(p.line_col(src.len()), (4, 2));
        let s = p.span(x, x + 1);
        assert_eq!((s.line, s.column, s.start, s.end), (2, 5, x as u32, x as u32 + 1));
    }
}
