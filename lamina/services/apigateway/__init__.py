"""Amazon API Gateway REST APIs (service `apigateway`): the control plane and the data plane."""
