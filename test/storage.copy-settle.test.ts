// migrate-db's rule for a message both sides hold and one or both changed since the last copy (copy-message-changes.ts,
// docs/migrating.md "Running it again after either side changed"), as a pure function: the cluster suite
// test/cluster/migrate-db.message-changes.test.ts runs it against PostgreSQL.
import { describe, expect, it } from "vitest";
import { settle, type MessageState } from "../src/storage/copy-message-changes.js";

const copied: MessageState = { content: "hello @bo", editedAt: null, deletedAt: null, mentions: '["bo"]', files: "1" };
const edited = (content: string, editedAt: string): MessageState => ({ ...copied, content, editedAt, mentions: null });
const deleted = (deletedAt: string): MessageState => ({ ...copied, content: "", mentions: null, files: null, deletedAt });

describe("migrate-db's settlement of a message changed since the last copy", () => {
  it("leaves a message neither side changed", () => {
    expect(settle(copied, { ...copied })).toBe("unchanged");
  });

  it("keeps PostgreSQL's deletion against anything in the file, a later edit included", () => {
    expect(settle(copied, deleted("2025-01-02T00:00:00.000Z"))).toBe("keep_postgres");
    expect(settle(edited("later", "2025-01-03T00:00:00.000Z"), deleted("2025-01-02T00:00:00.000Z"))).toBe("keep_postgres");
    expect(settle(deleted("2025-01-01T00:00:00.000Z"), deleted("2025-01-02T00:00:00.000Z"))).toBe("keep_postgres");
  });

  it("carries SQLite's deletion over PostgreSQL's unchanged or edited message, a later edit included", () => {
    expect(settle(deleted("2025-01-02T00:00:00.000Z"), copied)).toBe("carry_deletion");
    expect(settle(deleted("2025-01-02T00:00:00.000Z"), edited("later", "2025-01-03T00:00:00.000Z"))).toBe("carry_deletion");
  });

  it("carries SQLite's edit only when it is later than PostgreSQL's (a message never edited loses to any edit)", () => {
    expect(settle(edited("sqlite", "2025-01-02T00:00:00.000Z"), copied)).toBe("carry_edit");
    expect(settle(edited("sqlite", "2025-01-03T00:00:00.000Z"), edited("postgres", "2025-01-02T00:00:00.000Z"))).toBe("carry_edit");
    expect(settle(edited("sqlite", "2025-01-02T00:00:00.000Z"), edited("postgres", "2025-01-03T00:00:00.000Z"))).toBe("keep_postgres");
    expect(settle(copied, edited("postgres", "2025-01-02T00:00:00.000Z"))).toBe("keep_postgres");
  });

  it("keeps PostgreSQL's version when both edits have the same time", () => {
    expect(settle(edited("sqlite", "2025-01-02T00:00:00.000Z"), edited("postgres", "2025-01-02T00:00:00.000Z"))).toBe("keep_postgres");
  });
});
