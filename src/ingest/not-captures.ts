/**
 * Files that are known not to be captures, with the reason shown in the capture table. Anything no
 * parser claims and no rule here names is ignored as "not a recognised capture format".
 */
const KNOWN: { test: RegExp; reason: string }[] = [
  { test: /(^|\/)\.DS_Store$/, reason: "macOS Finder metadata, not a capture" },
  { test: /(^|\/)(Thumbs\.db|desktop\.ini)$/i, reason: "Windows folder metadata, not a capture" },
  { test: /(^|\/)\.(gitkeep|gitignore|keep)$/, reason: "version-control placeholder, not a capture" },
  {
    test: /\.(md|markdown|rst|docx?|odt|pdf|png|jpe?g|gif|svg|html?)$/i,
    reason: "document or image, not a capture (kept for the reader)",
  },
  { test: /(^|\/)(README|NOTES|TODO)(\.\w+)?$/i, reason: "notes file, not a capture" },
  { test: /(~|\.swp|\.bak|\.tmp)$/, reason: "editor or backup file, not a capture" },
  {
    test: /\.(py|go|js|mjs|cjs|ts|c|h|cc|cpp|rb|java|rs|pl)$/i,
    reason: "source code, not a capture (a script that produced captures is kept for the reader)",
  },
];

export function knownNonCapture(relPath: string): string | null {
  for (const k of KNOWN) if (k.test.test(relPath)) return k.reason;
  return null;
}
