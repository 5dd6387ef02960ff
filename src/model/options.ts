/** What the user states on the command line; flags win over incident.yaml (DESIGN.md §2). */
export interface RunOptions {
  /** IANA zone for stamps without a zone */
  zone: string;
  /** true when the zone came from --tz; otherwise incident.yaml's timezone may replace it */
  zoneExplicit: boolean;
  goVersion: string | null;
  kernel: string | null;
  godebug: string | null;
  /** ISO 8601 instant injected as the report's generation time */
  generatedAt: string;
  toolVersion: string;
}
