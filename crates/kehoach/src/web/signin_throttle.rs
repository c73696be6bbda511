//! Who is signing in, and how long they must wait after failing: sign-in that cannot be turned
//! against its users.
//!
//! - **Subjects.** Failures are counted per *account from an address* (`pair:`) and per *address*
//!   (`addr:`), never per account alone: five wrong passwords for `sotttt` from one address make
//!   that address wait, while the right password from another address is not refused. (A guesser
//!   with many addresses gets [`PAIR_FREE`] tries per address per day; argon2id makes each costly.)
//! - **A delay that grows, not a lock.** Past the free failures, the next attempt must wait
//!   30 s, 1, 2, 4, 8 min… at most 15 min after the *last* failure; an attempt during the wait is
//!   refused (429) without looking at the password and without counting, so waiting out the delay
//!   is always enough. Counts lapse a day after their last failure.
//! - **In the database** (`store/sign_in.rs`), so every server behind a proxy sees the same counts.
//! - **The client address** is the connection's, or — only when the connection comes from a
//!   configured trusted proxy (`serve --trusted-proxy`) — the nearest address in
//!   `X-Forwarded-For` that is not itself a trusted proxy. Anyone else's `X-Forwarded-For` is
//!   ignored: it would let a guesser pick a fresh address per try.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

use crate::store::{Store, StoreError};

/// Failures of one account from one address before the first wait.
pub const PAIR_FREE: i64 = 5;
/// Failures from one address (any accounts) before the first wait: an office behind one NAT
/// has many users, each of whom mistypes.
pub const ADDRESS_FREE: i64 = 30;
/// The first wait, doubled with each further failure up to [`MAX_WAIT`].
pub const FIRST_WAIT: Duration = Duration::from_secs(30);
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// How long a count is remembered after its last failure.
pub const REMEMBER: Duration = Duration::from_secs(24 * 3600);

/// The wait after `failures` failures when `free` are allowed without one.
pub fn wait_after(failures: i64, free: i64) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(16);
    FIRST_WAIT.saturating_mul(1u32 << doublings).min(MAX_WAIT)
}

fn pair(account: &str, address: IpAddr) -> String {
    format!("pair:{}|{address}", account.trim().to_lowercase())
}

fn addr(address: IpAddr) -> String {
    format!("addr:{address}")
}

/// How long `account` from `address` must still wait before trying again (`None`: try now).
pub async fn must_wait(
    store: &Store,
    account: &str,
    address: IpAddr,
) -> Result<Option<Duration>, StoreError> {
    let now = Utc::now();
    let counts = store
        .sign_in_failures(&[pair(account, address), addr(address)], now)
        .await?;
    let waits = counts.iter().filter_map(|c| {
        let free = if c.subject.starts_with("addr:") {
            ADDRESS_FREE
        } else {
            PAIR_FREE
        };
        remaining(wait_after(c.failures, free), c.last_failure, now)
    });
    Ok(waits.max())
}

/// What is left of `wait` counted from `since`.
fn remaining(wait: Duration, since: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    let elapsed = (now - since).to_std().unwrap_or(Duration::ZERO);
    wait.checked_sub(elapsed).filter(|left| !left.is_zero())
}

pub async fn failed(store: &Store, account: &str, address: IpAddr) -> Result<(), StoreError> {
    let now = Utc::now();
    let expires = now + chrono::Duration::from_std(REMEMBER).expect("a day fits");
    store
        .record_sign_in_failure(&[pair(account, address), addr(address)], now, expires)
        .await
}

/// A correct password forgets this account's failures from this address (not the address's).
pub async fn succeeded(store: &Store, account: &str, address: IpAddr) -> Result<(), StoreError> {
    store.clear_sign_in_failures(&pair(account, address)).await
}

/// An address or a network (`10.0.0.0/8`, `::1`), as `--trusted-proxy` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?}: an address or a network such as 10.0.0.0/8");
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, prefix)) => (ip, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = ip.trim().parse().map_err(|_| bad())?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            None => bits,
        };
        Ok(Network { base, prefix })
    }
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - prefix)
            }
        }
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// The client's address: the connection's peer, unless the peer is a trusted proxy; then the
/// right-most `X-Forwarded-For` entry that is not a trusted proxy (each proxy appends the address
/// it received from, so entries further left were written by the client and prove nothing).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer.to_canonical();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        // A malformed chain is not evidence of anything: the proxy itself is the client.
        .unwrap_or_default();
    forwarded
        .iter()
        .rev()
        .copied()
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
        .to_canonical()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_and_is_capped() {
        assert_eq!(wait_after(4, 5), Duration::ZERO);
        assert_eq!(wait_after(5, 5), Duration::from_secs(30));
        assert_eq!(wait_after(6, 5), Duration::from_secs(60));
        assert_eq!(wait_after(9, 5), Duration::from_secs(480));
        assert_eq!(wait_after(10, 5), MAX_WAIT);
        assert_eq!(wait_after(i64::MAX, 5), MAX_WAIT);
    }

    #[test]
    fn x_forwarded_for_counts_only_from_trusted_proxies() {
        let trusted: Vec<Network> = vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.7, 10.0.0.2".parse().unwrap(),
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        // Through the proxies: the nearest untrusted entry (not the client-written 6.6.6.6).
        assert_eq!(
            client_address(proxy, &headers, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        // From anyone else the header is ignored.
        assert_eq!(client_address(stranger, &headers, &trusted), stranger);
        // Without trusted proxies, always the peer.
        assert_eq!(client_address(proxy, &headers, &[]), proxy);
        // A malformed chain: the proxy itself.
        headers.insert("x-forwarded-for", "nonsense".parse().unwrap());
        assert_eq!(client_address(proxy, &headers, &trusted), proxy);
        assert!(
            "::1"
                .parse::<Network>()
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!("0.0.0.0/0".parse::<Network>().unwrap().contains(stranger));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("example".parse::<Network>().is_err());
    }
}
