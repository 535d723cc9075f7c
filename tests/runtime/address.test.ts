// The one address module: which hosts are loopback (exec serve warns beyond it; UDP clients bind
// loopback to reach it), IP literals in any spelling, the same host however written, and the
// addresses the adapters bind and reach.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isIPv6 } from "node:net";
import fc from "fast-check";
import {
  bindAddress,
  canonicalIp,
  formatAddress,
  hostKey,
  isIpLiteral,
  isLoopback,
  localBindFor,
  peerAddress,
  sameHost,
} from "../../src/runtime/shared/address.ts";

const hex4 = (a: number, b: number): string => ((a << 8) | b).toString(16);

describe("address: the loopback rule", () => {
  it("counts localhost, 127.0.0.0/8, ::1 and IPv4 loopback mapped into IPv6", () => {
    for (
      const h of [
        "127.0.0.1",
        "127.1.2.3",
        "127.255.255.255",
        "localhost",
        "LocalHost",
        "::1",
        "0:0:0:0:0:0:0:1",
        "0::1",
        "::0:1",
        "::ffff:127.0.0.1",
        "::FFFF:127.9.8.7",
        "0:0:0:0:0:ffff:127.0.0.1",
        "::ffff:7f00:1",
        "::ffff:7fff:ffff",
      ]
    ) {
      assert.equal(isLoopback(h), true, h);
    }
  });

  it("counts nothing else", () => {
    for (
      const h of [
        "0.0.0.0",
        "::",
        "10.0.0.1",
        "128.0.0.1",
        "126.255.255.255",
        "127.0.0.1.example.com",
        "localhost.example.com",
        "example.com",
        "",
        "::2",
        "1::1",
        "::127.0.0.1", // IPv4-compatible, deprecated: not routed to loopback
        "::fffe:127.0.0.1",
        "::ffff:128.0.0.1",
        "::ffff:8000:1",
        "[::1]",
        "127.0.0.01", // a leading zero: octal to some resolvers, so no literal
        "0177.0.0.1",
        "127.0.0",
        "127.0.0.256",
        "127.0.0.1.",
        "::1%lo",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
      ]
    ) {
      assert.equal(isLoopback(h), false, h);
    }
  });

  it("holds for every IPv4 address, and for it mapped into IPv6 in either spelling", () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        const loopback = a === 127;
        assert.equal(isLoopback(`${a}.${b}.${c}.${d}`), loopback);
        assert.equal(isLoopback(`::ffff:${a}.${b}.${c}.${d}`), loopback);
        assert.equal(isLoopback(`::ffff:${hex4(a, b)}:${hex4(c, d)}`), loopback);
        assert.equal(isLoopback(`::${a}.${b}.${c}.${d}`), false);
      }),
    );
  });
});

describe("address: IP literals", () => {
  it("writes each IPv6 address as the WHATWG URL parser does (RFC 5952)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const canonical = canonicalIp(ip);
        assert.ok(canonical !== undefined, ip);
        assert.equal(canonicalIp(canonical), canonical, ip);
        let url: string;
        try {
          url = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
        } catch {
          // Bun 1.4's URL parser refuses some valid forms (`0:0::0:0:0.0.0.0`): node:net decides.
          assert.equal(isIPv6(ip), true, ip);
          return;
        }
        // The URL parser keeps an IPv4-mapped address in hex; here it becomes IPv4.
        if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(url)) {
          assert.ok(/^\d+\.\d+\.\d+\.\d+$/.test(canonical), `${ip} -> ${canonical}`);
        } else assert.equal(canonical, url, ip);
      }),
    );
  });

  it("tells IP literals from names", () => {
    for (const h of ["10.0.0.1", "::", "::1", "fe80::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"]) {
      assert.equal(isIpLiteral(h), true, h);
    }
    for (const h of ["localhost", "example.com", "1.2.3", "01.2.3.4", "fe80::1%eth0", "1:2:3"]) {
      assert.equal(isIpLiteral(h), false, h);
    }
  });

  it("knows the same host however it is written", () => {
    assert.equal(sameHost("::ffff:127.0.0.1", "127.0.0.1"), true);
    assert.equal(sameHost("::ffff:7f00:1", "127.0.0.1"), true);
    assert.equal(sameHost("0:0::1", "::1"), true);
    assert.equal(sameHost("FE80::A", "fe80::a"), true);
    assert.equal(sameHost("Example.COM", "example.com"), true);
    assert.equal(sameHost("::1", "127.0.0.1"), false);
    assert.equal(sameHost("127.0.0.2", "127.0.0.1"), false);
  });
});

describe("address: binding and writing", () => {
  it("binds loopback of the target's family to reach a loopback target, else the wildcard", () => {
    assert.equal(localBindFor("127.0.0.1"), "127.0.0.1");
    assert.equal(localBindFor("127.0.0.2"), "127.0.0.1");
    assert.equal(localBindFor("localhost"), "127.0.0.1");
    assert.equal(localBindFor("::1"), "::1");
    assert.equal(localBindFor("0::1"), "::1");
    assert.equal(localBindFor("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
    assert.equal(localBindFor("10.0.0.1"), "0.0.0.0");
    assert.equal(localBindFor("example.com"), "0.0.0.0");
    assert.equal(localBindFor("fe80::1"), "::");
  });

  it("writes host:port, IPv6 in brackets", () => {
    assert.equal(formatAddress({ hostname: "127.0.0.1", port: 80 }), "127.0.0.1:80");
    assert.equal(formatAddress({ hostname: "::1", port: 8080 }), "[::1]:8080");
  });

  it("defaults to loopback and refuses a port that is no integer in range", () => {
    assert.deepEqual(bindAddress({}), { hostname: "127.0.0.1", port: 0 });
    assert.deepEqual(peerAddress({ port: 1 }), { hostname: "127.0.0.1", port: 1 });
    for (const port of [-1, 65_536, 1.5, NaN]) {
      assert.throws(() => bindAddress({ port }), RangeError, String(port));
    }
    assert.throws(() => peerAddress({ port: 0 }), RangeError);
  });
});

describe("hostKey", () => {
  it("gives every spelling of one address one key, and names in lower case", () => {
    assert.equal(hostKey("::FFFF:127.0.0.2"), "127.0.0.2");
    assert.equal(hostKey("::ffff:7f00:2"), "127.0.0.2");
    assert.equal(hostKey("0:0:0:0:0:0:0:1"), hostKey("::1"));
    assert.equal(hostKey("LocalHost"), "localhost");
    assert.notEqual(hostKey("127.0.0.2"), hostKey("127.0.0.3"));
  });
});
