from meridian.rules import PackConfig
from tests.rules.exports import DELETE, assert_has_violation, assert_no_violations, cloudflare_stack, edit

RULE = "residency-cloudflare-steering"


def test_fallback_pool_outside_jurisdiction():
    doc = edit(cloudflare_stack(), "eu-api", "fallbackPoolId", "pool-aws-use1")
    assert_has_violation(doc, RULE, "eu-api", "fallback) can reach pool aws-use1")


def test_country_pool_outside_jurisdiction():
    doc = edit(cloudflare_stack(), "eu-api", "countryPools.0.poolIds", ["pool-aws-use1"])
    assert_has_violation(doc, RULE, "eu-api", "country:DE")


def test_rule_override_outside_jurisdiction():
    doc = edit(cloudflare_stack(), "eu-api", "rules", [{"name": "r", "condition": "true",
                                                        "overrides": [{"defaultPools": ["pool-aws-use1"]}]}])
    assert_has_violation(doc, RULE, "eu-api", "aws-use1")


def test_pool_without_meridian_description_fails_closed():
    doc = edit(cloudflare_stack(), "gcp-euw1", "description", "our belgian cluster")
    found = [v for v in __import__("tests.rules.exports", fromlist=["x"]).violations(doc)]
    assert found and all(v.rule == RULE and "does not state its region" in v.message for v in found)


def test_pool_unknown_to_stack_fails_closed():
    doc = edit(cloudflare_stack(), "eu-api", "defaultPoolIds", ["pool-aws-euw1", "pool-from-elsewhere"])
    assert_has_violation(doc, RULE, "eu-api", "not in the stack")


def test_unbound_hostname_may_fail_over_anywhere():
    assert_no_violations(cloudflare_stack())


def test_malformed_meridian_lb_description_fails_closed():
    doc = edit(cloudflare_stack(), "global-api", "description", "meridian:hostname=api.acme.example")
    assert_has_violation(doc, RULE, "global-api", "fail closed")


def test_hostname_bound_by_config():
    config = PackConfig.from_mapping({RULE: {"residencyHostnames": {"api.acme.example": "eu"}}})
    doc = edit(cloudflare_stack(), "global-api", "description", DELETE)
    from tests.rules.exports import violations

    found = sorted(v.message for v in violations(doc, config))
    assert len(found) == 2 and "aws-use1" in found[0] and "not regionalized" in found[1]


def test_pool_region_from_config():
    config = PackConfig.from_mapping({RULE: {"poolRegions": {"gcp-euw1": "gcp:europe-west1"}}})
    assert_no_violations(edit(cloudflare_stack(), "gcp-euw1", "description", DELETE), config)


def test_pool_ids_unknown_at_preview_resolved_through_property_dependencies():
    doc = edit(cloudflare_stack(), "eu-api", "fallbackPoolId", "04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    doc = edit(doc, "eu-api", "@propertyDependencies",
               {"fallbackPoolId": ["urn:pulumi:prod::acme-lake::cloudflare:index/loadBalancerPool:LoadBalancerPool::aws-use1"]})
    assert_has_violation(doc, RULE, "eu-api", "aws-use1")


def test_pulumi_cloudflare_6_shapes_are_read_too():
    """v6 names the pools defaultPools / fallbackPool and steers with {code: [pool ids]} maps."""
    from tests.rules.exports import DELETE, violations

    doc = edit(cloudflare_stack(), "eu-api", "defaultPoolIds", DELETE)
    doc = edit(doc, "eu-api", "fallbackPoolId", DELETE)
    doc = edit(doc, "eu-api", "countryPools", {"DE": ["pool-gcp-euw1"]})
    doc = edit(doc, "eu-api", "regionPools", {"WEU": ["pool-aws-use1"]})  # a US pool for western Europe
    doc = edit(doc, "eu-api", "defaultPools", ["pool-aws-euw1"])
    doc = edit(doc, "eu-api", "fallbackPool", "pool-azure-weu")
    found = [v for v in violations(doc) if v.rule == "residency-cloudflare-steering"]
    assert len(found) == 1 and "aws-use1" in found[0].message and "region:WEU" in found[0].message


def test_a_bound_hostname_without_regional_services_is_caught():
    """Cloudflare would terminate TLS wherever the user connects: decrypted outside the EU."""
    from tests.rules.exports import drop

    assert_has_violation(drop(cloudflare_stack(), "eu-api-regional"), RULE, "eu-api", "not regionalized")


def test_a_regional_entry_for_another_region_is_caught():
    doc = edit(cloudflare_stack(), "eu-api-regional", "regionKey", "us")
    assert_has_violation(doc, RULE, "eu-api", "Regional Services region is 'us', not 'eu'")


def test_a_regional_entry_for_another_hostname_does_not_count():
    doc = edit(cloudflare_stack(), "eu-api-regional", "hostname", "eu.api.acme.example.evil")
    assert_has_violation(doc, RULE, "eu-api", "not regionalized")
