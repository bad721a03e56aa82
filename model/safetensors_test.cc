#include "model/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/file.h"

namespace fedtee::model {
namespace {

ModelParams Sample() {
  ModelParams p;
  EXPECT_TRUE(p.Add({"fc1.weight", {2, 3}, {1.5f, -2.25f, 3, 0.1f, 1e-30f, -7e20f}}).ok());
  EXPECT_TRUE(p.Add({"fc1.bias", {2}, {0.5f, -0.5f}}).ok());
  EXPECT_TRUE(p.Add({"scale", {}, {42}}).ok());
  EXPECT_TRUE(p.Add({"empty", {0, 4}, {}}).ok());
  return p;
}

// A file with the given header text (unpadded) and `data_bytes` zero bytes of data.
Bytes MakeFile(const std::string& header, size_t data_bytes) {
  Bytes out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

std::string Reason(const Bytes& file) { return ParseSafetensors(file).status().reason(); }

TEST(SafetensorsTest, RoundTripKeepsOrderValuesAndMetadata) {
  ModelParams p = Sample();
  Bytes bytes = SerializeSafetensors(p, {{"format", "pt"}, {"round", "7"}});
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{bytes[i]} << (8 * i);
  EXPECT_EQ((8 + n) % 8, 0u) << "data buffer must start 8-byte aligned";
  EXPECT_EQ(bytes.size(), 8 + n + 4 * p.total_params());

  SafetensorsMetadata meta;
  Result<ModelParams> back = ParseSafetensors(bytes, &meta);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(back->SameLayout(p));
  EXPECT_EQ(back->Flatten(), p.Flatten());
  EXPECT_EQ(meta, (SafetensorsMetadata{{"format", "pt"}, {"round", "7"}}));

  ModelParams empty;
  Result<ModelParams> none = ParseSafetensors(SerializeSafetensors(empty));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SafetensorsTest, MalformedInputsAreNamed) {
  const std::string ok_entry = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  ASSERT_TRUE(ParseSafetensors(MakeFile("{" + ok_entry + "}", 8)).ok());

  EXPECT_EQ(Reason(Bytes{1, 2, 3}), "safetensors.truncated");
  Bytes cut = MakeFile("{" + ok_entry + "}", 8);
  cut.resize(20);  // header length promises more than follows
  EXPECT_EQ(Reason(cut), "safetensors.truncated");
  Bytes huge = MakeFile("{}", 0);
  huge[7] = 0x7f;  // ~9e18-byte header
  EXPECT_EQ(Reason(huge), "safetensors.header_too_large");
  Bytes big = MakeFile("{}", 0);
  big[0] = 0x00, big[1] = 0xe2, big[2] = 0xf5, big[3] = 0x05;  // 100,000,256 bytes
  EXPECT_EQ(Reason(big), "safetensors.header_too_large");

  EXPECT_EQ(Reason(MakeFile("{\"a\": [1,", 0)), "safetensors.bad_json");
  EXPECT_EQ(Reason(MakeFile("{\"a\":\"\xff\xfe\"}", 0)), "safetensors.bad_json");
  EXPECT_EQ(Reason(MakeFile("[1,2]", 0)), "safetensors.bad_header");
  EXPECT_EQ(Reason(MakeFile("", 0)), "safetensors.bad_header");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4)),
            "safetensors.bad_dtype");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[2]}})", 8)), "safetensors.bad_entry");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8)),
            "safetensors.bad_entry");
  EXPECT_EQ(Reason(MakeFile(R"({"a b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8)),
            "safetensors.bad_name");
  EXPECT_EQ(Reason(MakeFile("{" + ok_entry + "," + ok_entry + "}", 8)),
            "safetensors.duplicate_name");
  EXPECT_EQ(Reason(MakeFile(R"({"__metadata__":{"k":1}})", 0)), "safetensors.bad_metadata");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8)),
            "safetensors.bad_offsets");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)),
            "safetensors.offset_out_of_range");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            12)),
            "safetensors.overlap");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)),
            "safetensors.not_contiguous");
  EXPECT_EQ(Reason(MakeFile("{" + ok_entry + "}", 12)), "safetensors.not_contiguous");
  EXPECT_EQ(Reason(MakeFile(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
            "safetensors.shape_mismatch");
  EXPECT_EQ(
      Reason(MakeFile(
          R"({"a":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,8]}})",
          8)),
      "safetensors.shape_mismatch");
  EXPECT_EQ(ParseSafetensors(MakeFile("{" + ok_entry + "}", 4)).status().code(),
            StatusCode::kCorruption);
}

TEST(SafetensorsTest, TruncationAtEveryLengthIsRejected) {
  Bytes bytes = SerializeSafetensors(Sample(), {{"k", "v"}});
  for (size_t len = 0; len < bytes.size(); ++len) {
    Bytes cut(bytes.begin(), bytes.begin() + len);
    EXPECT_FALSE(ParseSafetensors(cut).ok()) << "accepted a file cut at " << len;
  }
}

class SafetensorsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fedtee_safetensors_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SafetensorsFileTest, SaveAndLoad) {
  ASSERT_TRUE(SaveSafetensors(dir_ / "m.safetensors", Sample(), {{"a", "b"}}).ok());
  SafetensorsMetadata meta;
  Result<ModelParams> p = LoadSafetensors(dir_ / "m.safetensors", &meta);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Flatten(), Sample().Flatten());
  EXPECT_EQ(meta.at("a"), "b");
  EXPECT_EQ(LoadSafetensors(dir_ / "absent").status().reason(), "file.not_found");
}

// Interoperability with an independent reader/writer: NumPy parsing the format by hand
// (the `safetensors` Python package is not packaged by Debian).
TEST_F(SafetensorsFileTest, InteroperatesWithNumpy) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with numpy is not available (apt install python3-numpy)";
  }
  const auto ours = dir_ / "from_fedtee.safetensors";
  const auto theirs = dir_ / "from_numpy.safetensors";
  ASSERT_TRUE(SaveSafetensors(ours, Sample(), {{"producer", "fedtee"}}).ok());
  const auto script = dir_ / "check.py";
  {
    std::ofstream py(script);
    py << R"PY(
import json, struct, sys
import numpy as np

def read(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert (8 + n) % 8 == 0, 'data not aligned'
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        assert e['dtype'] == 'F32'
        b, end = e['data_offsets']
        out[name] = np.frombuffer(data[b:end], dtype='<f4').reshape(e['shape'])
    return out, meta

def write(path, tensors, meta):
    header, blobs, off = {'__metadata__': meta}, [], 0
    for name, a in tensors.items():
        buf = np.ascontiguousarray(a, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [off, off + len(buf)]}
        blobs.append(buf)
        off += len(buf)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))

t, meta = read(sys.argv[1])
assert meta == {'producer': 'fedtee'}, meta
w = t['fc1.weight']
assert w.shape == (2, 3), w.shape
assert np.array_equal(w, np.array([[1.5, -2.25, 3], [0.1, 1e-30, -7e20]], dtype=np.float32)), w
assert np.array_equal(t['fc1.bias'], np.array([0.5, -0.5], dtype=np.float32))
assert t['scale'].shape == () and t['scale'] == 42
assert t['empty'].shape == (0, 4)

rng = np.random.default_rng(7)
write(sys.argv[2], {'linear.weight': rng.standard_normal((3, 5)).astype(np.float32),
                    'linear.bias': np.arange(3, dtype=np.float32)}, {'producer': 'numpy'})
print('python side ok')
)PY";
  }
  std::string cmd =
      "/usr/bin/python3 " + script.string() + " " + ours.string() + " " + theirs.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "python check failed: " << cmd;

  SafetensorsMetadata meta;
  Result<ModelParams> p = LoadSafetensors(theirs, &meta);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(meta.at("producer"), "numpy");
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].name, "linear.weight");
  EXPECT_EQ((*p)[0].shape, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ((*p)[1].data, (std::vector<float>{0, 1, 2}));

  // Cross-check the NumPy-written weights value by value against NumPy's own print.
  const auto dump = dir_ / "values.txt";
  std::string cmd2 =
      "/usr/bin/python3 -c \"import numpy as np; rng=np.random.default_rng(7); "
      "print(' '.join(repr(float(v)) for v in "
      "rng.standard_normal((3,5)).astype(np.float32).ravel()))\" > " +
      dump.string();
  ASSERT_EQ(std::system(cmd2.c_str()), 0);
  std::ifstream in(dump);
  for (float v : (*p)[0].data) {
    double expected;
    ASSERT_TRUE(in >> expected);
    EXPECT_EQ(v, static_cast<float>(expected));
  }
}

}  // namespace
}  // namespace fedtee::model
