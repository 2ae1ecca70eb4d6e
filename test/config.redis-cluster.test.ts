// REDIS_CLUSTER_NODES (issue 21, §2), checked at the edge: the seed list, its credentials and TLS, and the
// combinations a node refuses (with REDIS_URL; without DATABASE_URL). Plus the slot function the subscriber side
// routes by (key-slot.ts), against the values the Redis Cluster spec and CLUSTER KEYSLOT give.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { problemsOf } from "./helpers/config-problems.js";
import { keySlot, roomHashTag } from "../src/cluster/key-slot.js";

const DATABASE_URL = "postgres://chat:pw@127.0.0.1:1/chat";

describe("REDIS_CLUSTER_NODES", () => {
  it("is off by default", () => {
    expect(loadConfig({})).toMatchObject({ redisCluster: null });
  });

  it("reads host:port seeds, spaces and empty entries aside", () => {
    const config = loadConfig({ DATABASE_URL, REDIS_CLUSTER_NODES: " 10.0.0.1:7000, 10.0.0.2:7001,,[::1]:7002 " });
    expect(config.redisCluster).toEqual({ seeds: [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }, { host: "::1", port: 7002 }], username: null, password: null, isTls: false });
    expect(config.redisUrl).toBeNull();
  });

  it("takes the password, user and TLS from redis:// and rediss:// entries", () => {
    const config = loadConfig({ DATABASE_URL, REDIS_CLUSTER_NODES: "rediss://chat:s%40cret@a:7000,rediss://chat:s%40cret@b:7000" });
    expect(config.redisCluster).toEqual({ seeds: [{ host: "a", port: 7000 }, { host: "b", port: 7000 }], username: "chat", password: "s@cret", isTls: true });
  });

  it("refuses entries that disagree on scheme or password: a Redis Cluster has one of each", () => {
    expect(problemsOf({ DATABASE_URL, REDIS_CLUSTER_NODES: "redis://:one@a:7000,redis://:two@b:7000" })).toEqual(["REDIS_CLUSTER_NODES entries must agree on scheme and credentials (a Redis Cluster has one password and one TLS setting)"]);
    expect(problemsOf({ DATABASE_URL, REDIS_CLUSTER_NODES: "rediss://a:7000,b:7000" })).toHaveLength(1);
  });

  it.each([["a"], ["a:"], ["a:0"], ["a:70000"], ["http://a:7000"], ["redis://a:7000/1"], ["redis://:pw@:7000"]])("refuses %s with one problem naming the variable", (entry) => {
    const problems = problemsOf({ DATABASE_URL, REDIS_CLUSTER_NODES: `ok:7000,${entry}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDIS_CLUSTER_NODES has an invalid node ".*" \(expected a comma-separated list of host:port/);
  });

  it("never echoes a password in its error", () => {
    const problems = problemsOf({ DATABASE_URL, REDIS_CLUSTER_NODES: "redis://:hunter2@a:7000/9" });
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("needs DATABASE_URL, and is refused together with REDIS_URL", () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: "a:7000" })).toEqual(["REDIS_CLUSTER_NODES needs DATABASE_URL (several nodes cannot share an SQLite file)"]);
    expect(problemsOf({ DATABASE_URL, REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "a:7000" })).toEqual(["set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both"]);
  });
});

describe("keySlot", () => {
  it("gives the slots of the Redis Cluster spec: CRC16 of the key, or of its hash tag, modulo 16384", () => {
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("123456789")).toBe(0x31c3 % 16384); // the spec's CRC16 check value
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar")); // an empty tag: the whole key is hashed
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
    expect(keySlot("{é}")).toBe(keySlot("é")); // UTF-8 bytes
  });

  it("puts a room's channel and its presence keys in one slot, whatever the room's name", () => {
    for (const room of ["lobby", "a}b", "{x}", "~AAAAAAAAAAAAAAAAAAAAAA", "général"]) {
      const slot = keySlot(`mr:p:${roomHashTag(room)}:names`);
      expect(keySlot(`mr:sio#/#r#${roomHashTag(room)}`)).toBe(slot);
      expect(keySlot(`mr:p:${roomHashTag(room)}:socks:ana`)).toBe(slot);
    }
  });
});
