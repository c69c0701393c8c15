package org.headroom.migrate;

/**
 * The agents' endpoint: HTTPS with mutual TLS, open only to agents with a certificate of the pool's CA.
 *
 * @param host           this agent's name in the pool (its certificate's CN)
 * @param address        where it listens, or empty when it does not
 * @param state          "serving", or why not ("broken: ...")
 * @param served         calls answered
 * @param refusedNoCert  callers that showed no certificate (answered 403)
 * @param refusedUntrusted TLS handshakes refused: a certificate not issued by the pool's CA
 * @param badRequests    malformed calls (answered 400)
 * @param failures       calls that failed here (answered 409 or 500)
 */
public record EndpointStatus(String host, String address, String state, long served, long refusedNoCert,
                             long refusedUntrusted, long badRequests, long failures) {
}
