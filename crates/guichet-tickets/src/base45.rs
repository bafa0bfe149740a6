//! Base45 (RFC 9285): bytes as text drawn only from the QR alphanumeric alphabet, so a QR code
//! can hold them in alphanumeric mode (5.5 bits a character) instead of byte mode (8 bits).

use crate::error::Base45Error;

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Encodes bytes as base45 text: every two bytes become three characters, a last odd byte two.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    let push = |out: &mut String, mut n: u32, digits: usize| {
        for _ in 0..digits {
            out.push(ALPHABET[(n % 45) as usize] as char);
            n /= 45;
        }
    };
    for pair in bytes.chunks(2) {
        match *pair {
            [a, b] => push(&mut out, u32::from(a) * 256 + u32::from(b), 3),
            [a] => push(&mut out, u32::from(a), 2),
            _ => unreachable!("chunks(2) yields one or two bytes"),
        }
    }
    out
}

/// Decodes base45 text; rejects characters outside the alphabet, a dangling single character
/// and groups whose value does not fit the bytes they stand for.
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    let raw = text.as_bytes();
    if raw.len() % 3 == 1 {
        return Err(Base45Error::Length(raw.len()));
    }
    let mut out = Vec::with_capacity(raw.len() / 3 * 2 + 1);
    for (i, group) in raw.chunks(3).enumerate() {
        let mut n = 0u32;
        let mut weight = 1u32;
        for (j, &c) in group.iter().enumerate() {
            let v = value_of(c).ok_or(Base45Error::Character {
                position: i * 3 + j,
            })?;
            n += v * weight;
            weight *= 45;
        }
        if group.len() == 3 {
            if n > 0xFFFF {
                return Err(Base45Error::Overflow { position: i * 3 });
            }
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            if n > 0xFF {
                return Err(Base45Error::Overflow { position: i * 3 });
            }
            out.push(n as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_9285_examples_encode_as_the_rfc_says() {
        assert_eq!(encode(b"AB"), "BB8", "RFC 9285 section 4.3, first example");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0", "RFC 9285 section 4.3");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581", "RFC 9285 section 4.3");
        assert_eq!(
            decode("QED8WEX0").unwrap(),
            b"ietf!",
            "RFC 9285 section 4.4"
        );
    }

    #[test]
    fn decode_refuses_text_that_no_bytes_encode_to() {
        assert!(
            matches!(decode("GGW"), Err(Base45Error::Overflow { .. })),
            "GGW is 65536"
        );
        assert!(
            matches!(decode("A"), Err(Base45Error::Length(1))),
            "one char is half a byte"
        );
        assert!(matches!(
            decode("ab0"),
            Err(Base45Error::Character { position: 0 })
        ));
    }

    proptest! {
        #[test]
        fn any_bytes_survive_a_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn decode_never_panics_on_any_text(s in ".{0,200}") {
            let _ = decode(&s);
        }
    }
}
