"""Local stand-ins for tests and the dev server: an OIDC test issuer and moto-backed AWS."""
