/** jest globalTeardown: stops the broker that globalSetup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.flowzoneLocalBroker?.stop();
}
