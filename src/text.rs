//! The text of a file's bytes: UTF-8 (a BOM is kept, callers decide), or UTF-16 LE/BE with a
//! BOM, or without one when every other byte is NUL, as PowerShell's `>` and Notepad write it.
//! One reading for every reader that must see what an editor shows: env files, the secret
//! scan, the source lines shown under findings.

use std::borrow::Cow;

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// UTF-16 text, if the bytes are UTF-16: a BOM says so, or (no BOM) NUL high bytes on at least
/// 90% of the code units and on none of the other half, which ASCII-range text in UTF-16 has
/// and UTF-8 or binary data do not. Unpaired surrogates become U+FFFD. The BOM is dropped.
pub fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let (body, little) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (rest, true)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (rest, false)
    } else {
        let units = bytes.len() / 2;
        // Most text has no NUL at all (one SIMD pass instead of counting per unit, twice).
        if units < 2 || memchr::memchr(0, bytes).is_none() {
            return None;
        }
        let zeros = |parity: usize| bytes.chunks_exact(2).filter(|u| u[parity] == 0).count();
        let (even, odd) = (zeros(0), zeros(1));
        if odd * 10 >= units * 9 && even == 0 {
            (bytes, true)
        } else if even * 10 >= units * 9 && odd == 0 {
            (bytes, false)
        } else {
            return None;
        }
    };
    let units = body.chunks_exact(2).map(|u| {
        if little {
            u16::from_le_bytes([u[0], u[1]])
        } else {
            u16::from_be_bytes([u[0], u[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text)
}

/// The bytes as UTF-8-ish text for scanning and display: UTF-16 decoded (with its BOM
/// dropped), anything else as it is (a UTF-8 BOM kept, so byte offsets still match the blob).
pub fn utf8_view(bytes: &[u8]) -> Cow<'_, [u8]> {
    match decode_utf16(bytes) {
        Some(text) => Cow::Owned(text.into_bytes()),
        None => Cow::Borrowed(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "A=1\nB=é\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            le.clone(),
            be.clone(),
            [b"\xFF\xFE".as_slice(), &le].concat(),
            [b"\xFE\xFF".as_slice(), &be].concat(),
        ] {
            assert_eq!(decode_utf16(&bytes).as_deref(), Some(text));
            assert_eq!(utf8_view(&bytes).as_ref(), text.as_bytes());
        }
        assert_eq!(decode_utf16(b"plain utf-8"), None);
        assert_eq!(utf8_view(b"\xEF\xBB\xBFx").as_ref(), b"\xEF\xBB\xBFx");
    }
}
