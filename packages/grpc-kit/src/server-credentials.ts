import * as grpc from "@grpc/grpc-js";
import type { ServerCertificates, ServerTlsMaterial } from "@flowzone/service-kit";

type CertificateProvider = grpc.experimental.CertificateProvider;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;
type CaListener = grpc.experimental.CaCertificateUpdateListener;

/**
 * The credentials a gRPC server binds with: insecure without certificates; TLS with them, and a
 * required client certificate (mTLS, plaintext and certificate-less clients refused at the
 * handshake) when they carry a client CA. The server follows every change the certificates take
 * (grpc-js' certificate-provider credentials), so a rotated certificate serves new connections
 * without a restart.
 */
export function serverCredentials(certificates: ServerCertificates | undefined): grpc.ServerCredentials {
  if (certificates === undefined) return grpc.ServerCredentials.createInsecure();
  const provider = certificateProvider(certificates);
  const requireClient = certificates.requiresClientCertificate;
  // grpc-js 1.14 passes its first argument on as the identity provider, its second as the CA's.
  return grpc.experimental.createCertificateProviderServerCredentials(provider, requireClient ? provider : null, requireClient);
}

/** grpc-js' CertificateProvider over {@link ServerCertificates}: the current material, then each change. */
function certificateProvider(certificates: ServerCertificates): CertificateProvider {
  const unsubscribe = new Map<IdentityListener | CaListener, () => void>();
  const identity = (material: ServerTlsMaterial) => ({ certificate: material.cert, privateKey: material.key });
  const ca = (material: ServerTlsMaterial) => (material.clientCa === undefined ? null : { caCertificate: material.clientCa });
  const add = (listener: IdentityListener | CaListener, update: (material: ServerTlsMaterial) => void): void => {
    unsubscribe.set(listener, certificates.onChange(update));
    // Asynchronously: grpc-js registers its server's watcher only after adding this listener.
    process.nextTick(update, certificates.current);
  };
  const remove = (listener: IdentityListener | CaListener): void => {
    unsubscribe.get(listener)?.();
    unsubscribe.delete(listener);
  };
  return {
    addIdentityCertificateListener: (listener) => {
      add(listener, (material) => {
        listener(identity(material));
      });
    },
    removeIdentityCertificateListener: remove,
    addCaCertificateListener: (listener) => {
      add(listener, (material) => {
        listener(ca(material));
      });
    },
    removeCaCertificateListener: remove,
  };
}
