/**
 * How a connection proves its identity, as the operator set it (libs/config `natsSecuritySettings`).
 * At most one kind of credential may be set; `connectNats` checks and reports a mix.
 */
export interface NatsCredentialSettings {
  /** Path of a file holding an nkey user seed (`SU…`), readable by its owner only. */
  readonly nkeySeedFile?: string | undefined;
  readonly nkeySeed?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/** TLS to the NATS server: the CA is enough for server verification; cert and key together for mutual TLS. */
export interface NatsTlsSettings {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}
