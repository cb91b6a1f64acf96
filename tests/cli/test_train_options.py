"""`trainnet train` derives its training options from TrainingParams: nothing to keep in step by hand."""

from typer.testing import CliRunner

from trainnet.cli import app
from trainnet.training.params import TrainingParams

runner = CliRunner()


def test_every_training_parameter_is_an_option_with_its_help(tmp_path):
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for name, field in TrainingParams.model_fields.items():
        flag = {"num_shards": "--shards", "config_overrides": "--model-config"}.get(name, "--" + name.replace("_", "-"))
        assert flag in result.output, name
        assert str(field.description)[:40] in result.output, name


def test_bad_model_config_json_fails_before_any_server_starts(tmp_path):
    data = tmp_path / "reviews.csv"
    data.write_text("text,label\ngood,pos\nbad,neg\n")
    result = runner.invoke(app, ["train", str(data), "--model-config", "{not json"])
    assert result.exit_code == 1 and "--model-config is not JSON" in result.output
