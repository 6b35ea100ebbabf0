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
// A customer load balancer rule stands on every path (which hop it fronts
// is not in a plan; with several, the tightest idle timeout is checked),
// and an Azure OpenAI content filter on the paths of the APIs whose
// backend is its account (on every path when none is).
package tfplan
