// The rows bench/pg-ceiling.ts measures and writes to its JSON; capacity-table.ts reads them back.
export interface CeilingRow {
  nodes: number;
  inFlight: number;
  seconds: number;
  inserts: number;
  failed: number;
  insertsPerSec: number;
  meanBatch: number;
  postgresCpuSeconds: number;
  nodeCpuSeconds: number;
  postgresMicrosPerInsert: number;
  nodeMicrosPerInsert: number;
  /** Rows the measured window added to chat_message, against `inserts`: every acknowledged append must be there. */
  rowsStored: number;
}
