//! The public randomness beacon: drand's League of Entropy quicknet chain, checked offline
//! (docs/draw.md §4). Nothing here reaches the network: the round's signature is given.

use drand_verify::{G2PubkeyRfc, Pubkey};
use sha2::{Digest, Sha256};

use crate::{DrawError, Result};

/// Quicknet's chain hash (its id on every drand relay).
pub const QUICKNET_CHAIN: &str = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
/// Quicknet's group public key (G2, compressed), as its `/info` publishes it.
pub const QUICKNET_PUBLIC_KEY: &str = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";
/// Quicknet's genesis (Unix seconds).
pub const QUICKNET_GENESIS: i64 = 1_692_803_367;
/// Seconds between two quicknet rounds.
pub const QUICKNET_PERIOD: i64 = 3;

/// A real quicknet round, recorded: round 123, as quoted from `/public/123` of the quicknet
/// chain in the tests of the `drand-verify` crate 0.6.2 (`src/verify.rs`,
/// `verify_works_for_g1g2_swapped_rfc`). Tests and the demo use it.
pub const RECORDED_ROUND_123: (u64, &str) = (
    123,
    "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92",
);
/// Another real quicknet round, recorded: round 657413, from the README of the Python
/// `drand-verify` 0.2.1 package (PyPI), which gives its randomness
/// `fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587`.
pub const RECORDED_ROUND_657413: (u64, &str) = (
    657_413,
    "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
);

/// One beacon round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beacon {
    /// Chain hash (hex).
    pub chain: String,
    /// Round number.
    pub round: u64,
    /// The round's BLS signature.
    pub signature: Vec<u8>,
}

impl Beacon {
    /// A quicknet round from its signature in hex.
    pub fn quicknet(round: u64, signature_hex: &str) -> Result<Beacon> {
        Ok(Beacon {
            chain: QUICKNET_CHAIN.to_string(),
            round,
            signature: crate::hex::decode(signature_hex, "beacon signature")?,
        })
    }

    /// One of the recorded rounds above.
    pub fn recorded((round, sig): (u64, &str)) -> Beacon {
        Beacon::quicknet(round, sig).unwrap_or(Beacon {
            chain: QUICKNET_CHAIN.into(),
            round,
            signature: Vec::new(),
        })
    }

    /// The round's randomness: SHA-256 of its signature.
    pub fn randomness(&self) -> [u8; 32] {
        Sha256::digest(&self.signature).into()
    }

    /// Checks the signature against the chain's public key; refuses a chain other than quicknet.
    pub fn verify(&self) -> Result<()> {
        let invalid = |why: String| DrawError::BeaconInvalid {
            round: self.round,
            why,
        };
        if self.chain != QUICKNET_CHAIN {
            return Err(invalid(format!(
                "chain {} is not drand quicknet ({QUICKNET_CHAIN}), the only chain whose key Guichet carries",
                self.chain
            )));
        }
        let key: [u8; 96] = crate::hex::decode(QUICKNET_PUBLIC_KEY, "public key")?
            .try_into()
            .map_err(|_| invalid("the public key is not 96 bytes".into()))?;
        let pk = G2PubkeyRfc::from_fixed(key).map_err(|e| invalid(format!("public key: {e}")))?;
        match pk.verify(self.round, b"", &self.signature) {
            Ok(true) => Ok(()),
            Ok(false) => Err(invalid(
                "the signature does not verify against quicknet's public key".into(),
            )),
            Err(e) => Err(invalid(format!("the signature is not a valid point: {e}"))),
        }
    }
}

/// When quicknet publishes a round (Unix seconds).
pub fn round_time(round: u64) -> i64 {
    let r = i64::try_from(round).unwrap_or(i64::MAX);
    QUICKNET_GENESIS.saturating_add(r.saturating_sub(1).saturating_mul(QUICKNET_PERIOD))
}

/// The first round published after `at` (Unix seconds): what `draw commit` may name.
pub fn first_round_after(at: i64) -> u64 {
    if at < QUICKNET_GENESIS {
        return 1;
    }
    u64::try_from((at - QUICKNET_GENESIS) / QUICKNET_PERIOD + 2).unwrap_or(u64::MAX)
}
