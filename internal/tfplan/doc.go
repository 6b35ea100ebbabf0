// Package tfplan checks a Terraform plan or state of the azurerm provider
// for Server-Sent Events: it reads `terraform show -json`, links the
// azurerm resources a stream crosses into request paths (API Management's
// global, product, API and operation policies with their fragments and
// diagnostics, the Application Gateway and Front Door profile in front),
// builds each path's chain setting by setting (chaincheck.Input, by the
// setting names chaincheck gives its findings), and runs the one chain
// check (chaincheck.Decode and chaincheck.Check) on it, naming each policy
// by its resource address. Each finding, input error and value not known
// until apply carries its setting, and is placed back on the resource
// address and attribute that setting was read from.
//
// The code is split by job: link.go links the resources (model), paths.go
// enumerates the request paths and checks each, hops.go builds a path's
// chain hop by hop, place.go places what the check says.
//
// Resources are linked by their values (an API's name, API Management
// name and resource group; an ARM ID; a product_id; a logger ID), and,
// where the plan does not know a value yet, by the configuration's
// references (`configuration.root_module.resources[].expressions`),
// followed through module variables and outputs. What the plan cannot
// say (which Application Gateway or Front Door fronts which service when
// their addresses name none) is assumed only when there is one of each,
// and each path's notes say so.
//
// A Front Door or Application Gateway whose origin or backend pool is the
// instance (its <name>.azure-api.net host, gateway URL, a custom domain of
// hostname_configuration or of azurerm_api_management_custom_domain, an
// address) is a hop in front of its APIs' paths.
//
// A customer load balancer rule stands on every path (which hop it fronts
// is not in a plan; with several, the tightest idle timeout is checked).
// An Azure OpenAI account is on the paths of the APIs that go to it: by
// service_url, or by the set-backend-service of the path's composed policy
// (a literal backend-id, through the azurerm_api_management_backend of
// that name, or a literal base-url); its deployments' content filters
// (rai_policy_name: a policy of the account, a built-in one, or none, the
// default) are judged there. An account no API goes to, and a content
// filter policy whose account is not in the plan, stand on every path.
//
// Which APIs stream (package streamapi) is decided once per API, from its
// names, path, type, operations and their response media types, backends,
// Azure OpenAI accounts, the signals of its paths' composed policies and
// the marker at the top of its policy; the findings of each of its paths
// follow the verdict (Options.Streaming). A path with no API keeps its
// severities.
package tfplan
