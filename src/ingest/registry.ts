/**
 * The ordered list of capture parsers. Each file is offered to them in this order; the first whose
 * sniff claims it and whose parse does not answer "not mine" owns it. More specific formats come
 * before more tolerant ones. One line per format.
 */
import type { Parser } from "./parser.js";
import { heapDebug1 } from "./parsers/heap-debug1.js";
import { smapsRollup } from "./parsers/smaps-rollup.js";
import { vmrssLog } from "./parsers/vmrss-log.js";

export const PARSERS: readonly Parser[] = [heapDebug1, smapsRollup, vmrssLog];
