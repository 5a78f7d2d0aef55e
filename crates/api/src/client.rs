//! Who the client is, for the limits and the log.
//!
//! By default the client is the peer of the TCP connection and
//! `X-Forwarded-For` is ignored: anyone can send that header, and a limit
//! keyed on it would be a limit the attacker chooses. Behind a reverse
//! proxy, list the proxy in `MOTCUA_TRUSTED_PROXIES`: when the peer is
//! trusted, the header is read from the right (the entry the proxy added)
//! leftwards, skipping trusted proxies; the first address not trusted is
//! the client. An entry that is not an address ends the walk at the last
//! trusted hop, so a forged header can never name an arbitrary client.
//!
//! Limits count IPv6 clients by their /64 network: one subscriber
//! usually holds a whole /64, and counting single addresses would give an
//! attacker 2^64 buckets.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks
    /// (`10.0.0.1, 192.168.0.0/16, ::1`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is not an IP address or network"))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: the peer, or behind trusted proxies the address
/// they report.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let Some(peer) = peer.map(canonical) else {
        return IpAddr::from([0, 0, 0, 0]);
    };
    if trusted.is_empty() || !trusted.trusts(peer) {
        return peer;
    }
    let mut client = peer;
    // Several X-Forwarded-For headers are one list, in order.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            break;
        };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// The key a limit counts this client under: the address, or for IPv6
/// its /64 network.
pub fn limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

/// The client of an actix request.
pub fn of_request(req: &actix_web::HttpRequest, trusted: &TrustedProxies) -> IpAddr {
    client_ip(req.peer_addr().map(|a| a.ip()), req.headers(), trusted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ignores_the_header_unless_the_peer_is_trusted() {
        let none = TrustedProxies::default();
        let h = headers(&["1.2.3.4"]);
        assert_eq!(client_ip(Some(ip("10.0.0.9")), &h, &none), ip("10.0.0.9"));
        let proxy = TrustedProxies::parse("10.0.0.1").unwrap();
        assert_eq!(client_ip(Some(ip("10.0.0.9")), &h, &proxy), ip("10.0.0.9"));
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &proxy), ip("1.2.3.4"));
    }

    #[test]
    fn walks_from_the_right_past_trusted_hops_only() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client forged the first entry; the proxies appended theirs.
        let h = headers(&["6.6.6.6, 203.0.113.7", "192.168.1.1"]);
        assert_eq!(
            client_ip(Some(ip("10.1.1.1")), &h, &proxies),
            ip("203.0.113.7")
        );
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&["1.1.1.1, nonsense, 10.2.2.2"]);
        assert_eq!(
            client_ip(Some(ip("10.1.1.1")), &h, &proxies),
            ip("10.2.2.2")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("10.1.1.1")), &HeaderMap::new(), &proxies),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn counts_ipv6_by_network_and_unmaps_ipv4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert!(TrustedProxies::parse("10.0.0.1, nope").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }
}
