/**
 * The ordered list of diagnosis rules, one line each. Order only breaks ties between findings that
 * explain the same share of the peak RSS.
 */
import type { Rule } from "../rule.js";
import { lazyFree } from "./lazy-free.js";
import { heapLeak } from "./heap-leak.js";
import { goroutineLeak } from "./goroutine-leak.js";
import { nonGoMemory } from "./non-go-memory.js";
import { fragmentation } from "./fragmentation.js";
import { gcPressure } from "./gc-pressure.js";
import { runtimeRetention } from "./runtime-retention.js";

export const RULES: readonly Rule[] = [
  lazyFree,
  heapLeak,
  goroutineLeak,
  nonGoMemory,
  fragmentation,
  gcPressure,
  runtimeRetention,
];
