/**
 * The ordered list of diagnosis rules, one line each. Order only breaks ties between findings that
 * explain the same share of the peak RSS.
 */
import type { Rule } from "../rule.js";

export const RULES: readonly Rule[] = [];
