// A repository that fails on demand, around the real one: the fault injection of issue 5.
import { StorageUnavailableError, type MessageRepository, type NewMessage } from "../../src/storage/repository.js";

export interface FaultyRepo extends MessageRepository {
  /** While true, every call fails as an unwritable (or unreadable) store does. */
  isFailing: boolean;
  /** Every message that reached append, failed or not. */
  attempted: NewMessage[];
}

export function faultyRepo(inner: MessageRepository): FaultyRepo {
  const fault = (): Promise<never> => Promise.reject(new StorageUnavailableError("injected fault"));
  const repo: FaultyRepo = {
    isFailing: false,
    attempted: [],
    append: (msg) => {
      repo.attempted.push(msg);
      return repo.isFailing ? fault() : inner.append(msg);
    },
    page: (room, query) => (repo.isFailing ? fault() : inner.page(room, query)),
    search: (room, query, opts) => (repo.isFailing ? fault() : inner.search(room, query, opts)),
    isHealthy: () => (repo.isFailing ? Promise.resolve(false) : inner.isHealthy()),
    close: () => inner.close(),
  };
  return repo;
}

export interface GatedRepo {
  repo: MessageRepository;
  /** Resolves when the first held append has reached the repository (and is being held). */
  appendStarted: Promise<void>;
  /** Resolves once `count` appends are held at the gate (sends that have passed every check before the store). */
  holding(count: number): Promise<void>;
  /** Lets held appends go on to the real store, all in one turn (so one group-commit batch). */
  release(): void;
}

/** Holds the appends `holds` picks (every one by default) at a gate until release(): events "in flight" for as long as a test needs. */
export function gatedRepo(inner: MessageRepository, holds: (msg: NewMessage) => boolean = () => true): GatedRepo {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const waiting: { count: number; wake: () => void }[] = [];
  const holding = (count: number): Promise<void> => (held >= count ? Promise.resolve() : new Promise((wake) => waiting.push({ count, wake })));
  const appendStarted = holding(1);
  const repo: MessageRepository = {
    append: async (msg) => {
      if (holds(msg)) {
        held++;
        for (const w of waiting) if (w.count <= held) w.wake();
        await gate;
      }
      return inner.append(msg);
    },
    page: (room, query) => inner.page(room, query),
    search: (room, query, opts) => inner.search(room, query, opts),
    isHealthy: () => inner.isHealthy(),
    close: () => inner.close(),
  };
  return { repo, appendStarted, holding, release };
}
