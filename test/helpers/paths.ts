/** Paths the tests use: the repository root, the bundled samples and the fixtures. */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SAMPLES = path.join(ROOT, "samples");
export const FIXTURES = path.join(ROOT, "test", "fixtures");
export const GOLDEN = path.join(ROOT, "test", "golden");

export function sample(name: string): string {
  return path.join(SAMPLES, name);
}

export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}
