import pytest

from trainnet.validation.checks import claims_json, json_problem, record_problems, schema_problems
from trainnet.validation.policy import INSTRUCTION_LENGTH, JSON_OUTPUT, OUTPUT_LENGTH, SCHEMA, ValidationPolicy

POLICY = ValidationPolicy()
GOOD = {"instruction": "Name the largest planet of the solar system.", "input": "", "output": "Jupiter"}


def test_a_well_formed_record_passes_every_standalone_rule():
    assert record_problems(GOOD, POLICY) == {}
    assert record_problems({k: v for k, v in GOOD.items() if k != "input"}, POLICY) == {}


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"instruction": "Say something nice."}, "missing 'output'"),
        ({"output": "x"}, "missing 'instruction'"),
        ({"instruction": "Say something nice.", "output": "   "}, "'output' is empty"),
        ({"instruction": ["a"], "output": "x"}, "'instruction' is list, not text"),
        ({"instruction": "Say something nice.", "input": 3, "output": "x"}, "'input' is int, not text"),
        ("just a string", "record is a str, not an object"),
    ],
)
def test_schema_rule_names_the_problem(record, problem):
    assert problem in schema_problems(record)
    assert problem in record_problems(record, POLICY)[SCHEMA]


@pytest.mark.parametrize(
    ("instruction", "output", "fails"),
    [
        ("Return the person as a JSON object.", '{"name": "Ada", "age": 36}', False),
        ("Return the person as a JSON object.", '```json\n{"name": "Ada"}\n```', False),
        ("Return the person as a JSON object.", "name: Ada, age: 36", True),
        ("List the first three primes.", "[2, 3, 5]", False),
        ("List the first three primes.", "[2, 3, 5", True),
        ("Describe the person briefly.", "{name: Ada}", True),
        ("Describe the person briefly.", "Ada is a mathematician.", False),
    ],
)
def test_outputs_claiming_to_be_json_must_parse(instruction, output, fails):
    failures = record_problems({"instruction": instruction, "input": "", "output": output}, POLICY)
    assert (JSON_OUTPUT in failures) == fails


def test_json_claim_and_parse_error_detail():
    assert (
        claims_json("Give me json please", "ok")
        and claims_json("Anything", "  {")
        and not claims_json("Anything", "ok")
    )
    assert "line 1, column 2" in json_problem("{oops}")


def test_length_rules_use_the_policy_bounds():
    short = {"instruction": "Name it.", "output": "x"}
    assert INSTRUCTION_LENGTH in record_problems(short, POLICY)
    long_output = dict(GOOD, output="word " * 1001)
    assert OUTPUT_LENGTH in record_problems(long_output, POLICY)
    lenient = ValidationPolicy(min_instruction_words=1, max_output_words=2000)
    assert record_problems(short, lenient) == {} and record_problems(long_output, lenient) == {}
