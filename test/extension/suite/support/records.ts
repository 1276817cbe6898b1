/** One line of the results file the in-host runner writes and the Node-side harness reads. */
export type HostTestRecord =
  | { event: 'start'; files: string[] }
  | {
      event: 'test';
      title: string;
      state: 'passed' | 'failed' | 'pending';
      duration?: number;
      error?: string;
    }
  | { event: 'end'; passes: number; failures: number; error?: string };
