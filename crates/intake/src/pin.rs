//! The PIN printed on the receipt. Dossier codes are sequential and printed
//! on paper, so a code alone must never reveal a dossier (docs/dossier-code.md, PINs).
//! The PIN is stored as an HMAC keyed with a server secret, never in
//! clear, and compared in constant time.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Letters and digits that cannot be mistaken for one another on paper
/// (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const PIN_LENGTH: usize = 6;

#[derive(Clone)]
pub struct PinHasher {
    key: Vec<u8>,
}

impl std::fmt::Debug for PinHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHasher(..)")
    }
}

impl PinHasher {
    pub fn new(key: &[u8]) -> PinHasher {
        PinHasher { key: key.to_vec() }
    }

    /// A fresh random PIN (31^6 ≈ 8.9e8 possibilities).
    pub fn generate() -> String {
        let mut rng = rand::thread_rng();
        (0..PIN_LENGTH)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    }

    fn mac(&self, code: &str, pin: &str) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => return Vec::new(),
        };
        mac.update(code.as_bytes());
        mac.update(b"\0");
        mac.update(pin.trim().to_ascii_uppercase().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The stored form of a PIN for a dossier code (hex HMAC-SHA256). The
    /// code is part of the message so equal PINs on two dossiers differ.
    pub fn hash(&self, code: &str, pin: &str) -> String {
        hex::encode(self.mac(code, pin))
    }

    /// Constant-time comparison of a PIN with its stored hash.
    pub fn verify(&self, code: &str, pin: &str, stored_hex: &str) -> bool {
        let Ok(stored) = hex::decode(stored_hex) else {
            return false;
        };
        let computed = self.mac(code, pin);
        computed.len() == stored.len() && bool::from(computed.ct_eq(&stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_right_pin_only() {
        let h = PinHasher::new(b"secret");
        let pin = PinHasher::generate();
        assert_eq!(pin.len(), PIN_LENGTH);
        let stored = h.hash("A-260101-0001", &pin);
        assert!(h.verify("A-260101-0001", &pin, &stored));
        assert!(h.verify("A-260101-0001", &pin.to_lowercase(), &stored));
        assert!(!h.verify("A-260101-0002", &pin, &stored));
        assert!(!h.verify("A-260101-0001", "ZZZZZZ", &stored));
        assert!(!PinHasher::new(b"other").verify("A-260101-0001", &pin, &stored));
        assert!(!h.verify("A-260101-0001", &pin, "not hex"));
    }

    #[test]
    fn pins_use_the_unambiguous_alphabet() {
        for _ in 0..100 {
            let pin = PinHasher::generate();
            assert!(pin.bytes().all(|b| ALPHABET.contains(&b)), "{pin}");
        }
    }
}
