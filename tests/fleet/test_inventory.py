"""The inventory: inline, CSV and YAML hosts, validated with positions."""

from __future__ import annotations

import pytest

from palette_tailscale.errors import InputError, InputErrors
from palette_tailscale.fleet.inventory import load_inventory
from palette_tailscale.fleet.model import FleetHost

from .conftest import MakeConfig

FROM_CSV = "hosts: {from: hosts.csv}\n"
FROM_YAML = "hosts: {from: hosts.yaml}\n"


def test_inline_hosts(make_config: MakeConfig) -> None:
    loaded = make_config(
        "hosts:\n"
        "  - name: edge-1\n    site: store-1\n    serial: SN1\n    tags: [tag:store]\n"
        "    palette: {project: Retail, tags: {city: paris}}\n"
        "  - name: edge-2\n"
    )
    inventory = load_inventory(loaded)
    assert inventory.hosts == (
        FleetHost(
            name="edge-1",
            hostname="edge-1",
            serial="SN1",
            site="store-1",
            tags=("tag:store",),
            project="Retail",
            palette_tags=(("city", "paris"),),
        ),
        FleetHost(name="edge-2", hostname="edge-2"),
    )
    assert inventory.source.endswith("palette-tailscale.yaml")


def test_csv_hosts(make_config: MakeConfig) -> None:
    csv_text = (
        "# the Paris stores\n"
        "name,uuid,site,tags,project,palette_tag.city,palette_tag.Zone\n"
        "edge-1,4c4c4544-0042,store-1,tag:store;tag:paris,Retail,paris,A\n"
        "\n"
        "edge-2,,store-2,tag:store tag:lyon,,lyon,\n"
    )
    loaded = make_config(FROM_CSV, {"hosts.csv": csv_text})
    hosts = load_inventory(loaded).hosts
    assert hosts[0] == FleetHost(
        name="edge-1",
        hostname="edge-1",
        serial="4c4c4544-0042",
        site="store-1",
        tags=("tag:store", "tag:paris"),
        project="Retail",
        palette_tags=(("Zone", "A"), ("city", "paris")),
    )
    assert hosts[1].tags == ("tag:store", "tag:lyon")
    assert hosts[1].project is None and hosts[1].serial is None
    assert hosts[1].palette_tags == (("city", "lyon"),)


def test_yaml_hosts_keep_identifiers_as_written(make_config: MakeConfig) -> None:
    yaml_text = "hosts:\n  - name: edge-1\n    serial: 0012\n  - {name: edge-2, uuid: 1e3}\n"
    hosts = load_inventory(make_config(FROM_YAML, {"hosts.yaml": yaml_text})).hosts
    assert [(h.name, h.serial) for h in hosts] == [("edge-1", "0012"), ("edge-2", "1e3")]


def test_yaml_list_at_the_root(make_config: MakeConfig) -> None:
    hosts = load_inventory(make_config(FROM_YAML, {"hosts.yaml": "- name: a1\n- name: b2\n"})).hosts
    assert [h.name for h in hosts] == ["a1", "b2"]


CSV_ERRORS = [
    pytest.param(
        "name,site\nedge-1,a\nEdge-2,b\n",
        "hosts.csv:3:1: name: 'Edge-2' is not a lowercase DNS label",
        id="uppercase-name",
    ),
    pytest.param(
        "site,name\na,edge-1\nb,edge-1\n",
        "hosts.csv:3:2: name 'edge-1' appears twice (first at hosts.csv:2:2)",
        id="duplicate-name",
    ),
    pytest.param(
        "name,serial\nedge-1,S1\nedge-2,S1\n",
        "hosts.csv:3:2: serial 'S1' appears twice (first at hosts.csv:2:2)",
        id="duplicate-serial",
    ),
    pytest.param(
        "name,site,tags\nedge-1,a,tag:ok;edge\n",
        "hosts.csv:2:3: tags: 'edge' is not a tag",
        id="bad-tag",
    ),
    pytest.param(
        "name,site\nedge-1,a,extra\n",
        "hosts.csv:2:3: this row has 3 fields but the header has 2",
        id="too-many-fields",
    ),
    pytest.param(
        "site\na\n", "hosts.csv:1:1: the CSV inventory needs a `name` column", id="no-name"
    ),
    pytest.param(
        "name,serial,uuid\n", "hosts.csv:1:3: column 'uuid' sets the same field", id="serial-uuid"
    ),
    pytest.param("name,palette_tag.\n", "hosts.csv:1:2: write the Palette tag's key", id="tag-key"),
    pytest.param("name,site\n,a\n", "hosts.csv:2:1: name: this host has no name", id="empty-name"),
    pytest.param(
        f"name\n{'a' * 64}\n", "hosts.csv:2:1: name: '" + "a" * 64 + "' is not", id="too-long"
    ),
    pytest.param('name\n"edge\n', "hosts.csv:2:1: invalid CSV", id="unterminated-quote"),
    pytest.param("", "hosts.csv:1:1: the CSV inventory has no header row", id="empty"),
]


@pytest.mark.parametrize(("csv_text", "expected"), CSV_ERRORS)
def test_csv_errors(make_config: MakeConfig, csv_text: str, expected: str) -> None:
    loaded = make_config(FROM_CSV, {"hosts.csv": csv_text})
    with pytest.raises(InputError) as info:
        load_inventory(loaded)
    assert str(info.value).startswith(expected), str(info.value)
    assert info.value.exit_code == 2


YAML_ERRORS = [
    pytest.param(
        "- name: edge-1\n- name: edge_2\n",
        "hosts.yaml:2:9: name: 'edge_2' is not a lowercase DNS label",
        id="bad-name",
    ),
    pytest.param(
        "- name: edge-1\n  serial: A\n- name: edge-2\n  serial: A\n",
        "hosts.yaml:4:11: serial 'A' appears twice (first at hosts.yaml:2:11)",
        id="duplicate-serial",
    ),
    pytest.param(
        "- name: edge-1\n  tags: [tag:a, nope]\n",
        "hosts.yaml:2:9: tags: 'nope' is not a tag",
        id="bad-tag",
    ),
    pytest.param("- just-a-name\n", "hosts.yaml:1:3: each host is a mapping", id="scalar-host"),
    pytest.param("name: edge-1\n", "hosts.yaml:1:1: a YAML inventory is a list", id="not-a-list"),
    pytest.param(
        "- name: edge-1\n  serial: A\n  uuid: B\n",
        "hosts.yaml:3:3: give serial or uuid, not both",
        id="serial-and-uuid",
    ),
    pytest.param(
        "- name: edge-1\n- name: edge-1\n",
        "hosts.yaml:2:9: name 'edge-1' appears twice (first at hosts.yaml:1:9)",
        id="duplicate-name",
    ),
    pytest.param("- {name: a, name: b}\n", "hosts.yaml:1:13: duplicate key 'name'", id="dup-key"),
    pytest.param("- site: x\n", "hosts.yaml:1:3: name: this host has no name", id="no-name"),
]


@pytest.mark.parametrize(("yaml_text", "expected"), YAML_ERRORS)
def test_yaml_errors(make_config: MakeConfig, yaml_text: str, expected: str) -> None:
    loaded = make_config(FROM_YAML, {"hosts.yaml": yaml_text})
    with pytest.raises(InputError) as info:
        load_inventory(loaded)
    assert str(info.value).startswith(expected), str(info.value)


def test_missing_inventory_file_points_at_the_config(make_config: MakeConfig) -> None:
    loaded = make_config(FROM_CSV)
    with pytest.raises(InputError) as info:
        load_inventory(loaded)
    assert info.value.mark is not None
    assert (info.value.mark.line, info.value.mark.col) == (11, 15)
    assert str(info.value).endswith("/hosts.csv: no such file")


def test_unsupported_inventory_suffix(make_config: MakeConfig) -> None:
    loaded = make_config("hosts: {from: hosts.txt}\n", {"hosts.txt": "name\n"})
    with pytest.raises(InputError, match=r"name a \.csv, \.yaml or \.yml file"):
        load_inventory(loaded)


def test_unknown_column_warns_once_and_fails_when_strict(make_config: MakeConfig) -> None:
    loaded = make_config(FROM_CSV, {"hosts.csv": "name,tgas\nedge-1,x\nedge-2,y\n"})
    inventory = load_inventory(loaded)
    assert inventory.warnings == (
        "hosts.csv:1:2: unknown host field 'tgas' is ignored; did you mean 'tags'?",
    )
    with pytest.raises(InputError, match=r"hosts\.csv:1:2: unknown host field 'tgas'"):
        load_inventory(loaded, strict=True)


@pytest.mark.parametrize(
    ("template", "host", "expected"),
    [
        ("{name}", "{name: edge-1, site: paris}", "edge-1"),
        ("{site}-{name}", "{name: edge-1, site: paris}", "paris-edge-1"),
        ("ts-{name}", "{name: edge-1}", "ts-edge-1"),
    ],
)
def test_hostname_templates(
    make_config: MakeConfig, template: str, host: str, expected: str
) -> None:
    loaded = make_config(f"hosts:\n  - {host}\n", hostname=template)
    assert load_inventory(loaded).hosts[0].hostname == expected


@pytest.mark.parametrize(
    ("template", "host", "expected"),
    [
        ("{site}-{name}", "{name: edge-1}", "has no site, but tailscale.hostname"),
        ("{site}-{name}", "{name: edge-1, site: Paris}", "makes 'Paris-edge-1', which is not"),
        ("{name}-{site}", "{name: edge-1, site: " + "s" * 60 + "}", "which is not a lowercase"),
    ],
)
def test_hostname_template_errors(
    make_config: MakeConfig, template: str, host: str, expected: str
) -> None:
    loaded = make_config(f"hosts:\n  - {host}\n", hostname=template)
    with pytest.raises(InputError, match=expected) as info:
        load_inventory(loaded)
    assert str(info.value).split(": ")[0].endswith(":12:12")


def test_only_selects_and_rejects_unknown(make_config: MakeConfig) -> None:
    inventory = load_inventory(make_config("hosts: [{name: a1}, {name: b2}, {name: c3}]\n"))
    assert [h.name for h in inventory.select(("c3", "a1"))] == ["c3", "a1"]
    assert len(inventory.select(())) == 3
    with pytest.raises(InputError, match="--only: no host named 'zz'"):
        inventory.select(("zz",))


def test_every_bad_csv_row_is_reported_in_one_run(make_config: MakeConfig) -> None:
    """Three bad rows, one run: each problem with its position, in file order."""
    csv_text = (
        "name,site,tags\n"
        "edge-1,a,tag:x\n"
        "Edge_2,b,tag:x\n"  # bad name
        "edge-3,c,nope\n"  # bad tag
        "edge-4,d,tag:x,extra\n"  # too many fields
        "edge-1,e,tag:x\n"  # duplicate name
    )
    loaded = make_config(FROM_CSV, {"hosts.csv": csv_text})
    with pytest.raises(InputErrors) as info:
        load_inventory(loaded)
    lines = str(info.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "hosts.csv:3:1",
        "hosts.csv:4:3",
        "hosts.csv:5:4",
        "hosts.csv:6:1",
    ]
    assert "name: 'Edge_2' is not a lowercase DNS label" in lines[0]
    assert "tags: 'nope' is not a tag" in lines[1]
    assert "this row has 4 fields but the header has 3" in lines[2]
    assert lines[3] == "hosts.csv:6:1: name 'edge-1' appears twice (first at hosts.csv:2:1)"
    assert info.value.exit_code == 2


def test_every_bad_yaml_host_is_reported(make_config: MakeConfig) -> None:
    yaml_text = "- name: a_1\n- just-a-name\n- name: b\n  serial: X\n  uuid: Y\n- name: c_3\n"
    loaded = make_config(FROM_YAML, {"hosts.yaml": yaml_text})
    with pytest.raises(InputErrors) as info:
        load_inventory(loaded)
    assert [line.split(": ", 1)[0] for line in str(info.value).splitlines()] == [
        "hosts.yaml:1:9",
        "hosts.yaml:2:3",
        "hosts.yaml:5:3",
        "hosts.yaml:6:9",
    ]


def test_past_fifty_problems_the_rest_are_counted(make_config: MakeConfig) -> None:
    csv_text = "name\n" + "".join(f"Bad_{i}\n" for i in range(57))
    loaded = make_config(FROM_CSV, {"hosts.csv": csv_text})
    with pytest.raises(InputErrors) as info:
        load_inventory(loaded)
    lines = str(info.value).splitlines()
    assert len(info.value.problems) == 57 and len(lines) == 51
    assert lines[0].startswith("hosts.csv:2:1: name: 'Bad_0'")
    assert lines[49].startswith("hosts.csv:51:1: name: 'Bad_49'")
    assert lines[50] == "… and 7 more problems"
