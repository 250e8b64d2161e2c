"""Amazon API Gateway HTTP APIs (apigatewayv2, ProtocolType HTTP): control plane and data plane."""
