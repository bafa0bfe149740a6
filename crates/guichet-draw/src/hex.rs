//! Lowercase hex, as the transcript writes every hash.

/// Bytes as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Hex (either case) to bytes; `what` names the value in the refusal.
pub fn decode(s: &str, what: &str) -> Result<Vec<u8>, crate::DrawError> {
    let s = s.trim();
    let bad = || crate::DrawError::Transcript(format!("{what}: {s:?} is not hex"));
    if !s.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// Hex of exactly 32 bytes.
pub fn decode32(s: &str, what: &str) -> Result<[u8; 32], crate::DrawError> {
    let v = decode(s, what)?;
    v.as_slice().try_into().map_err(|_| {
        crate::DrawError::Transcript(format!("{what}: {} bytes, expected 32", v.len()))
    })
}
