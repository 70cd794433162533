/** jest globalTeardown of both integration projects: stops the brokers their globalSetups started, if they started any. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([globalThis.flowzoneLocalBroker?.stop(), globalThis.flowzoneSecuredBroker?.stop()]);
}
