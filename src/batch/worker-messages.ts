/** The messages between the batch's main thread and its worker threads (plain, structured-cloneable). */
import type { PdfMeta } from "../render/pdf.js";
import type { IncidentJob, IncidentResult } from "./process-incident.js";

export type ToWorker =
  | { type: "job"; job: IncidentJob }
  | { type: "printed"; requestId: number; pdf: Uint8Array; blockedRequests: string[] }
  | { type: "print-failed"; requestId: number; error: string };

export type FromWorker =
  | { type: "result"; result: IncidentResult }
  | { type: "print"; requestId: number; html: string; meta: PdfMeta };
