declare module 'swagger-ui-dist' {
  /** Absolute path of the folder holding the Swagger UI assets. */
  export function getAbsoluteFSPath(): string;
}
