/** A run that cannot start or continue; the message says why and what to do. */
export class TrainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrainError';
  }
}
