//! Text masked while it streams (an interactive job's output, relayed to the terminal as it
//! comes): what is shown is masked with what came before it in view ([`CONTEXT`] bytes, so a
//! private key's body lines are masked after its header was shown, a value after its name),
//! and a trailing run that may still grow into a secret (no blank after it yet) is held back
//! until more comes or the caller flushes (the job fell silent, a prompt waits, the end).

use super::masked;

/// Bytes already shown that a later value may depend on (a private key's header, up to 16 KiB
/// before the end of its body; a secret-like name before its value).
const CONTEXT: usize = 32 * 1024;
/// A held run longer than this is shown (masked as far as it can be known) all the same: no
/// value the detectors read is longer (a JWT: 16 KiB).
const HOLD: usize = 20 * 1024;

#[derive(Debug, Default)]
pub struct Stream {
    /// The last bytes shown, unmasked (memory only).
    context: Vec<u8>,
    /// Bytes not shown yet.
    pending: Vec<u8>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Take `bytes`; returns what can be shown now, masked.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(bytes);
        let cut = self
            .pending
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1)
            .max(self.pending.len().saturating_sub(HOLD));
        self.emit(cut)
    }

    /// Everything held, masked (the stream ended).
    pub fn flush(&mut self) -> Vec<u8> {
        self.emit(self.pending.len())
    }

    /// Everything held, masked, when the stream fell silent (a prompt waits for an answer):
    /// a value begun but not ended (`sk_live_4eC3`, no blank after it yet) is masked after its
    /// prefix; what follows it later is masked with it, as the rest of the value.
    pub fn flush_silent(&mut self) -> Vec<u8> {
        let mut out = self.flush();
        if let Some(at) = super::find::open_prefix(&self.context) {
            // `context` ends with `out`.
            let base = self.context.len().saturating_sub(out.len());
            for b in &mut out[at.saturating_sub(base)..] {
                if !b.is_ascii_whitespace() {
                    *b = super::MASK;
                }
            }
        }
        out
    }

    /// Whether bytes are held back.
    pub fn holds(&self) -> bool {
        !self.pending.is_empty()
    }

    fn emit(&mut self, cut: usize) -> Vec<u8> {
        if cut == 0 {
            return Vec::new();
        }
        let seen = self.context.len();
        let mut whole = std::mem::take(&mut self.context);
        whole.extend_from_slice(&self.pending);
        let out = masked(&whole, false)[seen..seen + cut].to_vec();
        whole.truncate(seen + cut);
        let keep = whole.len().saturating_sub(CONTEXT);
        whole.drain(..keep);
        self.context = whole;
        self.pending.drain(..cut);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(parts: &[&str]) -> String {
        parts.concat()
    }

    /// However the output is cut into reads (one byte at a time, a key split in two, a private
    /// key's body after its header was shown), nothing shown holds the secret's middle, and
    /// the text shown is the whole text masked.
    #[test]
    fn any_split_shows_what_whole_masking_shows() {
        let stripe = k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]);
        let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80WAdl5Zf8RxmZ2kJk3AbMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLez";
        let pem = k(&[
            "-----BEGIN ",
            "PRIVATE KEY-----\n",
            &body[..72],
            "\n",
            &body[72..],
            "\n-----END PRIVATE KEY-----\n",
        ]);
        let texts = [
            format!("key: {stripe}\nnext line\n"),
            format!("a prompt? {stripe}"),
            pem,
            "const apiSecret = \"Hd8Kq2LmZ7xV3pWn9T\";\n".to_string(),
        ];
        for text in &texts {
            let whole = masked(text.as_bytes(), false).into_owned();
            for size in [1, 2, 7, 30, 64, 1000] {
                let mut s = Stream::new();
                let mut shown = Vec::new();
                for chunk in text.as_bytes().chunks(size) {
                    shown.extend(s.push(chunk));
                }
                shown.extend(s.flush());
                assert_eq!(
                    String::from_utf8_lossy(&shown),
                    String::from_utf8_lossy(&whole),
                    "{size}: {text}"
                );
            }
        }
    }

    /// A prompt is held only while it may still grow: a blank ends it, a flush shows it.
    #[test]
    fn prompts_are_shown() {
        let mut s = Stream::new();
        assert_eq!(s.push(b"message? "), b"message? ");
        assert_eq!(s.push(b"Password:"), b"");
        assert!(s.holds());
        assert_eq!(s.flush_silent(), b"Password:");
    }

    /// A key printed in two writes with a pause between them: neither part shows.
    #[test]
    fn a_key_split_by_a_pause_is_masked_on_both_sides() {
        let stripe = k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]);
        for cut in [3, 8, 12, 20] {
            let (a, b) = stripe.split_at(cut);
            let mut s = Stream::new();
            let mut shown = s.push(format!("key {a}").as_bytes());
            shown.extend(s.flush_silent());
            shown.extend(s.push(format!("{b} done\n").as_bytes()));
            shown.extend(s.flush());
            let shown = String::from_utf8(shown).unwrap();
            assert!(shown.starts_with("key "), "{shown}");
            assert!(!shown.contains("4eC3"), "{cut}: {shown}");
            assert!(!shown.contains("p7dc"), "{cut}: {shown}");
            assert!(shown.ends_with(" done\n"), "{shown}");
        }
    }
}
